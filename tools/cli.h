/* credport command-line program: shared helpers for the subcommands. */
#ifndef CP_TOOLS_CLI_H
#define CP_TOOLS_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "credport/entry.h"
#include "credport/error.h"
#include "credport/sig.h"
#include "credport/store.h"

/* Exit statuses: 0 success, 1 failure (invalid, refused, not found),
 * 2 usage or malformed input. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli {
  const char *data;   /* -d/--data (anywhere on the line), else $CREDPORT_DATA, else ./credport-data */
  const char *cmd;    /* the subcommand name, for messages (NULL before one is known) */
  int json;           /* --json */
  int data_set;       /* -d/--data was given */
  int dry_run;        /* --dry-run: check and show every entry, write nothing */
  unsigned guards;    /* CP_GUARD_* the appenders of this command turn on */
  const char *note;   /* a remark a dry run of cli_append_one shows, or NULL */
} cli;

typedef int (*cli_fn)(cli *c, int argc, char **argv);

/* Prints "credport CMD: error: ..." to stderr and returns CLI_FAIL. */
int cli_fail(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_usage(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Rewrites an entry encoder's message for someone who typed the input:
 * "field at byte N: why" becomes "field: why"; "(string byte N)" and "U+XXXX
 * at byte N is" become "(at position N+1)" and "at position N+1 is". */
void cli_human_msg(char *msg, size_t cap);
struct option;
/* For getopt_long's '?': names the option (av[optind - 1], av being the
 * vector given to getopt_long) and says whether it is unknown (with the
 * closest known name, if one is near) or lacks its value. CLI_USAGE. */
int cli_bad_option(const cli *c, char **av, const struct option *opts, const char *help);
/* The name in names[0..n) closest to word (at most two edits, or word a
 * prefix of at least three letters), or NULL. */
const char *cli_closest(const char *word, const char *const *names, size_t n);

/* Paths inside the data folder (static storage per call is not used: out
 * must hold PATH_MAX bytes). */
void cli_path(const cli *c, const char *name, char *out, size_t cap);
int cli_open_store(cli *c, unsigned flags, cp_store **s);
int cli_load_authority_key(cli *c, cp_key **k);
/* The key in force of the node's own log (cmd_key.c): DIR/authority.key
 * when it is the log's current signing key; else finishes a rotation whose
 * key entry committed before its files were switched; else fails, naming
 * both keys. Before init, the key file as it is. OUT: *k, owned by the
 * caller. */
int cli_key_in_force(cli *c, cp_store *s, cp_key **k);
/* The file in the data folder that holds the key pk: authority.key, a
 * rotation's authority.key.next, or the retired file of pk (cmd_key.c).
 * OUT: path (cap bytes). Prints the error when none does. */
int cli_key_file_of(cli *c, const uint8_t pk[CP_PK_BYTES], char *path, size_t cap);
/* Opens the ledger read-write and loads the key in force (both or neither). */
int cli_open_authority(cli *c, cp_store **s, cp_key **k);
/* Appends e to the node's own log in one transaction, with c->guards; OUT:
 * id. On failure prints "WHAT refused, nothing written: reason" and returns
 * CLI_FAIL. With c->dry_run the entry is signed and checked by the writer
 * exactly as it would be, shown (cli_dry_*), and nothing is written. */
int cli_append_one(cli *c, cp_entry *e, const char *what, uint8_t id[CP_HASH_BYTES]);

/* What a dry run would sign (credport.c). cli_dry_add shows one signed
 * entry (line: the CSV line it came from, 0 for none; note: a remark such
 * as a backdated award, or NULL): at once in human output, gathered for
 * --json. cli_dry_end prints the summary, "dry run: N WHAT would be signed;
 * nothing was written" (or the JSON object), and frees what it gathered. */
typedef struct cli_dry {
  json_t *entries;
  uint64_t n;
} cli_dry;
void cli_dry_add(const cli *c, cli_dry *dr, const uint8_t *buf, size_t len, uint64_t line,
                 const char *note);
void cli_dry_end(const cli *c, cli_dry *dr, const char *one, const char *many);
/* "1 credential", "2 credentials": n and the noun for one or for many. */
const char *cli_count(uint64_t n, const char *one, const char *many, char *out, size_t cap);

/* The forms cli_parse_pubkey accepts, for messages. */
#define CLI_PUBKEY_FORMS "64 hex digits, did:key, or ek1-HEX-CRC as educator keygen prints"
/* Parses a public key given as 64 hex digits, did:key, or the checked form
 * (docs/FORMATS.md, "Educator keys as text"): ek1-, the 64 hex digits, -,
 * and 8 hex digits of the CRC-32 of the key's 32 bytes; a wrong CRC is
 * CP_EINVAL. */
#define CLI_PUBKEY_CHECKED_LEN 77U
void cli_format_pubkey_checked(const uint8_t pk[CP_PK_BYTES], char out[CLI_PUBKEY_CHECKED_LEN + 1]);
int cli_parse_pubkey(const char *s, uint8_t pk[CP_PK_BYTES]);
int cli_parse_hash(const char *s, uint8_t h[CP_HASH_BYTES]);
/* Strict decimal u64 (no sign, no leading zeros except "0"). */
int cli_parse_u64(const char *s, uint64_t *v);
/* Hours like "40", "2.5", "7.25" -> hundredths. */
int cli_parse_hours(const char *s, uint32_t *x100);
/* SHA-256 of a file's contents. */
int cli_sha256_file(const char *path, uint8_t out[CP_HASH_BYTES], cp_diag *d);
uint64_t cli_now(void);

/* Human output of text that came from the ledger, a partner or a file
 * (text_out.c): every printer that is not JSON shows such text only through
 * these, so a newline, control or bidirectional override in it is shown
 * escaped (cp_text_escape) instead of forging or reordering what is shown.
 * cli_put_text writes p[0, n) escaped to f. cli_text escapes into out
 * (cap bytes, cut at a whole piece) and returns out. cli_json_human
 * escapes every string and object key in v in place, for printers that
 * format a JSON result; 0 on success, -1 if memory ran out. */
void cli_put_text(FILE *f, const char *p, size_t n);
const char *cli_text(const char *p, size_t n, char *out, size_t cap);
int cli_json_human(json_t *v);

/* Writes a JSON value to stdout followed by a newline, then frees it. */
void cli_print_json(json_t *v);
/* Prints a proof check's verdict (cmd_verify.c); see there. */
int cli_proof_verdict(const cli *c, const char *why);
/* The same with info's members (what was checked) added to the --json
 * verdict; takes info (may be NULL). */
int cli_proof_verdict_info(const cli *c, const char *why, json_t *info);
/* JSON form of an entry (the `show` and `log --json` shape). */
json_t *cli_entry_json(const uint8_t *buf, size_t len);
/* One-line human summary of an entry. */
void cli_entry_line(FILE *f, const uint8_t *buf, size_t len, cp_reader *r);
/* Full human description, one field per line. */
void cli_entry_text(FILE *f, const uint8_t *buf, size_t len, cp_reader *r);
json_t *cli_hex_json(const uint8_t *p, size_t n);
/* annotate.c: Unix seconds as "2026-12-03T08:55:51Z". */
void cli_time_iso(uint64_t t, char out[32]);
/* Sets o[key] to the RFC 3339 time and o[key_unix] to the integer (both
 * null for 0: never). */
void cli_set_time(json_t *o, const char *key, uint64_t t);
/* Adds names beside the IDs of an entry's JSON (cli_entry_json), from the
 * store: "log_name", and in the body "credential_title", "target_title" (a
 * revoked award's credential's), "subject_title" or "subject_name", where the node holds
 * the entry referred to. */
void cli_entry_annotate(json_t *o, cp_reader *r);
/* The title (or an authority's name) behind an entry ID, valid while r is
 * open: 0, or -1 when not held. */
int cli_ref_name(cp_reader *r, const uint8_t id[CP_HASH_BYTES], cp_str *name);
/* A partner's record as a JSON object (peer list, status); with_connected
 * adds "connected": false after "addr", for status to update. */
json_t *cli_peer_json(const cp_peer_info *p, int with_connected);

/* Subcommands. */
/* jurisdiction.c: code against ISO 3166 (country "US" or subdivision
 * "US-NC"). CP_OK with what = "US-NC (North Carolina, United States)", or
 * CP_EINVAL with err saying why (a bare code that is also a US state's
 * abbreviation, such as NC, needs country_ok). */
int cli_jurisdiction_check(const char *code, int country_ok, char *what, size_t wcap, char *err,
                           size_t ecap);
int cmd_init(cli *c, int argc, char **argv);
int cmd_whoami(cli *c, int argc, char **argv);
int cmd_educator(cli *c, int argc, char **argv);
int cmd_witness(cli *c, int argc, char **argv);
/* Loads the node's witness key (DIR/witness.key), creating it (0600) when
 * the data folder has none, and its note key name (cp_store_witness_name). */
int cli_witness_key(cli *c, cp_store *s, cp_key **k, char name[CP_ORIGIN_MAX + 1]);
/* The node's witness verifier key (cosignature/v1), the key created if needed. */
int cli_witness_vkey(cli *c, cp_store *s, char vkey[CP_VKEY_MAX]);
int cmd_credential(cli *c, int argc, char **argv);
int cmd_attest_areas(cli *c, int argc, char **argv);
int cmd_award(cli *c, int argc, char **argv);
int cmd_revoke(cli *c, int argc, char **argv);
int cmd_endorse(cli *c, int argc, char **argv);
int cmd_approve(cli *c, int argc, char **argv);
int cmd_log(cli *c, int argc, char **argv);
int cmd_show(cli *c, int argc, char **argv);
int cmd_checkpoint(cli *c, int argc, char **argv);
int cmd_prove(cli *c, int argc, char **argv);
int cmd_verify_proof(cli *c, int argc, char **argv);
/* verify: an educator's bundle (cmd_bundle_verify.c). */
int cmd_bundle_verify(cli *c, int argc, char **argv);
/* Prints verify's report of res (b NULL when the bundle did not decode;
 * node_notes[i], when not NULL, what the node said of log i) and returns
 * the exit status: 0 valid, 2 malformed, 1 otherwise (bundle_report.c). */
struct cp_bundle;
struct cp_vopts;
struct cp_vresult;
int cli_bundle_report(cli *c, const struct cp_bundle *b, const struct cp_vopts *o,
                      const struct cp_vresult *res, const char *const *node_notes);
/* Offline revocation status (cmd_revocations.c). */
int cmd_revocations(cli *c, int argc, char **argv);
int cmd_prove_absence(cli *c, int argc, char **argv);
/* verify-proof of an absence proof document text[0..len) read from file,
 * against the statement it carries (or the one in stfile) under the keys
 * v[0..nv), and (if note is not NULL) bound to that checkpoint. */
struct cp_note_verifier;
int cli_verify_absence(cli *c, const char *file, const char *text, size_t len,
                       const struct cp_note_verifier *v, size_t nv, const char *stfile,
                       const char *note, size_t nlen);
int cmd_audit(cli *c, int argc, char **argv);
int cmd_backup(cli *c, int argc, char **argv);   /* cmd_backup.c */
int cmd_restore(cli *c, int argc, char **argv);
int cmd_own_head(cli *c, int argc, char **argv);
int cmd_map_size(cli *c, int argc, char **argv);
int cmd_demo(cli *c, int argc, char **argv);
int cmd_serve(cli *c, int argc, char **argv);
int cmd_sync(cli *c, int argc, char **argv);
int cmd_peer(cli *c, int argc, char **argv);
int cmd_status(cli *c, int argc, char **argv);
int cmd_health(cli *c, int argc, char **argv); /* cmd_health.c */
int cmd_clock(cli *c, int argc, char **argv); /* cmd_clock.c */
int cmd_key(cli *c, int argc, char **argv);   /* cmd_key.c */
int cmd_bench(cli *c, int argc, char **argv);
int cmd_bench_sync(cli *c, int argc, char **argv); /* bench_sync.c */
int cmd_bench_revstat(cli *c, int argc, char **argv); /* bench_revstat.c */
int cmd_bench_ob3(cli *c, int argc, char **argv);     /* bench_ob3.c */
int cmd_bench_proofs(cli *c, int argc, char **argv);  /* bench_proofs.c */
/* Seconds on the monotonic clock (bench.c). */
double cli_bench_now_s(void);
/* Raw single-core Ed25519 signing and verification rates (per second) over
 * award-sized messages (bench.c). */
void cli_bench_raw_rates(double *sign_rate, double *verify_rate);
/* Reads --n (1..10000000, default 100000) and --dir (default $TMPDIR or
 * /tmp), makes a fresh folder credport-bench.XXXXXX there, runs run_n in it
 * and removes it; usage answers --help. The status of run_n, or of the
 * usage error. (bench_revstat.c) */
int cli_bench_in_dir(cli *c, int argc, char **argv, const char *usage,
                     int (*run_n)(cli *c, uint64_t n, const char *dir));
int cmd_policy(cli *c, int argc, char **argv);
int cmd_recognize(cli *c, int argc, char **argv);
/* Open Badges 3.0 (cmd_ob3.c). */
int cmd_export(cli *c, int argc, char **argv);
int cmd_verify_vc(cli *c, int argc, char **argv);

/* Finds policy ID (an entry ID, or a policy id of the own log) through r
 * (cmd_policy.c); prints the error and returns non-zero if it cannot. */
struct cp_policy_entry;
int cli_resolve_policy(cli *c, cp_reader *r, const char *arg, struct cp_policy_entry *pe);

/* CSV award import (award_csv.c): all rows in one transaction, or none.
 * columns: the --columns mapping or NULL; new_edu: 0, or 'w' / 'r' to warn
 * about or refuse educators never seen on this node. */
int cli_award_csv(cli *c, cp_store *s, const cp_key *k, const char *path, const char *columns,
                  int new_edu, uint64_t now, uint64_t *count);
/* The one way a revocation entry is built (cmd_entries.c): e becomes a
 * version-2 revoke of target (any revocable entry of this log) with reason
 * (which must outlive e), effective today. Both `revoke` and `revoke --csv`
 * fill their entries through it. */
int cli_revoke_fill(cp_entry *e, const uint8_t target[CP_HASH_BYTES], cp_str reason);
/* CSV revocation (revoke_csv.c): columns entry,reason; one transaction. */
int cli_revoke_csv(cli *c, cp_store *s, const cp_key *k, const char *path, const char *columns,
                   uint64_t now, uint64_t *count);

/* W3C Bitstring Status List (cmd_status_list.c). */
int cli_export_status_list(cli *c, int argc, char **argv);
/* The node's own log key, which must still sign (not rotated or retired):
 * standard credentials name their issuer by that did:key; why ends the
 * message that refuses a rotated or retired key. */
int cli_issuer_key(cli *c, cp_store *s, const char *why, cp_key **k);
/* The status list URL: given (checked, then recorded in the data folder as
 * status-base), else the recorded one; prints the error otherwise. */
int cli_status_base(cli *c, const char *given, char url[1025]);
/* The credentialStatus hook of exported credentials (cp_ob3_status_fn):
 * the award's BitstringStatusListEntry, its index the award's seq. */
typedef struct cli_status_ctx {
  cp_reader *r;
  const char *url;
} cli_status_ctx;
int cli_status_entry(void *ctx, const uint8_t award_id[CP_HASH_BYTES], json_t **status);
/* The bitstring of log at size: cp_status_list_bits(size) bits, set at the
 * seq of every award revoked by an entry of seq < size. OUT: *bits
 * (malloc'd), *nbytes, *nrevoked. */
int cli_status_bits(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size, uint8_t **bits,
                    size_t *nbytes, size_t *nrevoked);
/* The signed status list of this node's log at its current size, as a JSON
 * file (eddsa-jcs-2022, final newline) or a vc+jwt. OUT: *text malloc'd. */
int cli_status_list_text(cp_reader *r, const cp_key *k, const char *url, int jwt, char **text,
                         size_t *len, size_t *nrevoked, cp_diag *d);

/* Whether the verified credential vc of issuer is revoked according to the
 * status list file at list_path (its own signature verified first).
 * Errors: CP_EDENIED (no credentialStatus, another issuer's or another
 * list), the list's (CP_EBADSIG, CP_ECORRUPT, ...); d says which. */
int cli_vc_status(const char *list_path, const json_t *vc, const uint8_t issuer[CP_PK_BYTES],
                  int *revoked, cp_diag *d);

/* Verifiable Presentations as vp+jwt (cmd_present_vp.c): `present --format
 * vp-jwt` and `verify-vp`. */
int cmd_present_vp(cli *c, int argc, char **argv);
int cmd_verify_vp(cli *c, int argc, char **argv);
/* Verifies the vp+jwt presentation in file for challenge and audience, with
 * the status lists given, and (trust not NULL) only credentials whose
 * issuer key is a trusted issuer; prints the verdict. 0 valid, 1 not valid,
 * 2 malformed (verify-vp, and verify given a presentation). */
struct cp_trust;
int cli_verify_vp_file(cli *c, const char *file, const char *chal, const char *aud,
                       const struct cp_trust *trust, const char *const *lists, size_t nl);
/* Wallets and bundles (cmd_wallet.c, cmd_present.c). */
int cmd_wallet(cli *c, int argc, char **argv);
int cmd_present(cli *c, int argc, char **argv);

/* fileio.c. cli_write_atomic writes data to path through a temporary file
 * in the same folder (path.tmp.PID, created exclusively), fsynced and
 * renamed (mode for a new file; nothing is left on failure); "-" is
 * standard output, and a path that exists but is not a regular file (a
 * device, a FIFO) is written in place. cli_read_file reads a regular file
 * of at most max bytes (a FIFO or device is refused, never waited on).
 * OUT: *text malloc'd, NUL-terminated. */
int cli_write_atomic(const char *path, const void *data, size_t len, unsigned mode, cp_diag *d);
int cli_read_file(const char *path, size_t max, char **text, size_t *len, cp_diag *d);

/* getopt helper: resets getopt for a subcommand's argv. */
void cli_getopt_reset(void);
/* True if argv has -h/--help anywhere before "--". */
int cli_wants_help(int argc, char **argv);

#endif
